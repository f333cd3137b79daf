"""The report: its view of a board, rendering to HTML and PDF, branding, redaction, exports."""
