"""Every threshold BoardSnap uses, in one validated, immutable object.

Sections follow the pipeline stages. The CLI builds a `Config` from its options and an optional
TOML file (`--config FILE`) whose tables have the section names:

    [judge]
    near_miss_at = 0.85
    [parse]
    date_order = "dmy"
    [report]
    company = "Acme Payments Ltd"
    logo = "acme.png"
    accent = "#0f766e"
    footer = "Confidential: prepared for Globex Corp"
    [notify]
    webhooks = ["https://hooks.slack.com/services/T000/B000/XXXX"]
    secret = "shared-with-the-receiver"
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boardsnap.errors import BadInput

HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
DURATION = re.compile(r"[1-9][0-9]*[mhdwMQY]")


@dataclass(frozen=True)
class LoadConfig:
    max_pixels: int = 80_000_000  # decompression-bomb guard; a 12 MP phone photo is 12e6
    work_long_side: int = 2000  # photos are scaled down to this before finding the board
    max_aspect: float = 10.0  # long side / short side; a narrower strip is no photo of a board


@dataclass(frozen=True)
class BoardConfig:
    min_board_area: float = 0.12  # of the photo: smaller quads are not the board
    max_board_area: float = 0.985  # larger is the photo's own edge
    rectified_long_side: int = 1800  # pixels of the front view's long side
    background_kernel: float = 0.06  # of the long side: the light-evening blur size
    min_white_inside: float = 0.5  # share of a candidate's inside that must look like board
    max_side_crossings: int = 1  # drawn lines a side may not cross (a shadow's edge does)
    # A side past which the same surface goes on is a cast shadow's edge, not the board's
    # (board.py, _shadow_side): the brightness steps down by at least shadow_step (to no less
    # than shadow_min_ratio of it), the colour keeps the board's (channel shares within
    # shadow_chroma_tol), and the board goes on past it: both neighbouring sides' lines carry
    # on as edges along shadow_sides_go_on or more of their extension; or the step is level
    # beyond (within shadow_level_tol) and one of them carries on, or, where the photo's
    # border hides one, thin strokes cover shadow_min_ink (and a quarter of the share inside)
    # or more of the band within shadow_ink_reach (of the photo's long side) past it.
    shadow_step: float = 0.08
    shadow_min_ratio: float = 0.2
    shadow_level_tol: float = 0.06
    shadow_chroma_tol: float = 0.015
    shadow_min_ink: float = 0.004
    shadow_ink_reach: float = 0.2
    shadow_sides_go_on: float = 0.5
    # A quad whose four sides are each seen as an edge with white inside along framed_side_share
    # or more of their length is framed all round: its darker part counts as board in shadow when
    # its colour is within framed_chroma_tol of the lit part's (board.py, _white_or_shaded).
    framed_side_share: float = 0.9
    framed_chroma_tol: float = 0.03
    # degrees the ruled lines slant from the photo's axes from which a levelled view is tried
    level_min_tilt: float = 2.0
    # a text line whose box ends within this share of the view's height (width) from its top
    # or bottom (left or right) edge may be cut by it (the view cut the board short)
    edge_margin: float = 0.015
    edge_line_share: float = 0.5  # ... or within this share of the line's own height of it
    # a view by the board's frame is widened below (or on the side where writing runs into its
    # edge) by up to widen_share of its height (width) (as far as the photo goes); a view by the
    # table's border, where writing runs into its edge, reaches widen_table_reach of the
    # table's width (height) further beyond the table on that side; either is read again when
    # the board goes on there: the strip beyond the edge is about as light as the board
    # (widen_light of its median grey or more), no band of rows across it is darker than
    # widen_frame of that grey (a frame, a pen tray), and it holds ink (widen_ink of its pixels
    # or more; not asked when a line of writing was seen running into the edge)
    widen_share: float = 0.35
    widen_table_reach: float = 0.8
    widen_light: float = 0.8
    widen_frame: float = 0.65
    widen_ink: float = 0.002
    # a line at the left or right edge of a view by the frame is no cut where the strip just
    # beyond is darker than end_light of the board's grey, or has a band that dark across it
    # (the frame's strip: a line written up to the frame)
    end_light: float = 0.9


@dataclass(frozen=True)
class GridConfig:
    line_kernel: float = (
        0.05  # of the board side: min straight run kept as a ruled line (> text height)
    )
    # a line found writing by its crossings (grid._drawn_through) is a rule all the same when its
    # ink covers this share of its length: a rule drawn cell by cell, pen lifted at the column
    # lines, covers 0.95; letters stacked in consecutive rows stop a row's margins short of each
    # rule between them
    drawn_cover: float = 0.9
    # a band between two row lines this many rows tall, writing above and below, is split where
    # a rule not kept as the table's runs across it (reading/grid_rows.py): a piece of a row
    # line at least rule_piece of the table's width, or a pixel row at least rule_fill inked
    # across the table (writing fills a third at most)
    tall_row: float = 1.6
    rule_piece: float = 0.25
    rule_fill: float = 0.5
    # a column beyond the table's outermost column line, where its row lines were not found
    # (reading/grid_columns.py): writing within outer_column_reach column widths of that line,
    # in at least outer_column_rows of the table's rows, one of them within outer_column_near
    # column widths of it
    outer_columns: bool = True  # look for them, when no table read otherwise
    outer_column_reach: float = 2.5
    outer_column_rows: float = 0.5
    outer_column_near: float = 0.75
    min_rows: int = 2  # header + one metric
    min_cols: int = 2
    max_cols: int = 6
    cell_margin: float = 0.12  # of the cell's smaller side, trimmed inside its lines
    line_merge: float = 0.015  # of the board side: lines closer than this are one
    # Faint ruled lines (a drying marker), looked for only when the usual ink makes no table:
    faint_lines: bool = True  # look again at ink fainter than the usual threshold keeps
    # grey levels (of 255) below the board's paper from which a pixel is faint ink; ghosts of
    # erased writing darken the board by less
    faint_contrast: float = 22.0
    # a table found only among faint lines is taken when at most this share of its rules' ink
    # is as dark as the usual threshold keeps (else the usual pass saw those rules, and rightly
    # made no table of them); drying-marker tables measure 0.02-0.6, dark rules 0.8
    faint_max_dark: float = 0.7
    faint_grain: float = 3.0  # around faint ink, board this close to the paper's grey (in
    # spreads of its grain) is made white before OCR
    faint_gain: float = 5.0  # ... and faint ink's darkness below it multiplied by this
    faint_erase: float = 0.004  # of the board side: faint rule ink this near a rule is erased
    faint_gap: float = 0.012  # of the board side: bare skips in a faded line bridged along it
    faint_gap_columns: float = 0.006  # ... down a column line (letters stack above and below)
    # ... and, when the faint pass makes no table so, this far down a column line: a dashed
    # rule whose dashes are further apart (wider skips bridge a letter to the next line's too,
    # so only where the closer bridging found no table)
    faint_gap_columns_wide: float = 0.016
    # ... and when the closer bridging found a table, the wider is tried only when faint ink
    # goes on along its column lines past it: on a line's track over this share of a row's
    # height, with this share of that or less to one side (grid._columns_go_on)
    faint_goes_on: float = 1 / 3
    faint_goes_on_side: float = 0.4
    # of the board side: ruled ink this thick across its direction is words run together
    faint_thickness: float = 0.012


@dataclass(frozen=True)
class OcrConfig:
    engine: str = "auto"  # auto | rapidocr | tesserocr | pytesseract
    language: str = "eng"
    tessdata: str | None = None  # folder holding eng.traineddata; None: look in the usual places
    cell_height: int = 48  # crops are scaled to this text height before recognition
    low_confidence: float = 0.6  # below it a field needs review
    low_digit_confidence: float = 0.7  # a digit read less surely than this needs review
    detect_long_side: int = 960  # text detection (rapidocr) runs at most this size
    # ... on bands this many of its rows high at most (0: whole), neighbours sharing
    # detect_tile_overlap rows: the detector's memory grows with its input (a region beside a
    # small table, 890 x 720 at the model: +105 MB at its peak, a worker's highest)
    detect_tile_rows: int = 320
    detect_tile_overlap: int = 128
    # the detector looks beside the table where at least around_min_ink pixels are this many
    # grey levels darker than the bare board (a pen lighter than 128 of 255 was taken for none)
    around_ink_contrast: float = 40.0
    around_min_ink: int = 100
    # ... and at seams around_reach pixels either side of the table's top and bottom edges
    # beside it (a line there, cut between two parts, was found in neither whole); a box at
    # least around_same_line inside another is the same line (reading/around.py)
    around_reach: int = 96
    around_same_line: float = 0.6
    second_look: bool = True  # re-read the value cells of doubtful rows under image variants
    second_look_votes: int = 2  # variants that must agree on a re-reading for it to be used
    # variants that must read a name not known at first as the same known name; one is enough:
    # a re-reading that lands on a wrong known name is rare (none in 688 rows on seeds 9090, 7777)
    second_look_name_votes: int = 1
    # the recogniser (rapidocr engine): crops are fed at least this wide (model pixels), as
    # RapidOCR pads them; a free text line read less surely than this is dropped
    rec_min_width: int = 320
    # the second look's variants of a value cell are fed at least this wide. 160 halves their
    # model time (extract CPU -12 % and -15 % on seeds 9473 and 9859) but re-reads otherwise:
    # there target value +1 and +1, comparator 0 and +1, actual value 0 and -2, status 0 and
    # -3, rows right in every field equal, wrong rows unflagged equal (bench/RESULTS.md). Not
    # worse is the bar, so the default stays the recogniser's width; a batch of archives that
    # needs speed more may set 160.
    second_look_value_min_width: int = 320
    # the second look's variants of a value cell, when narrower than half of the width they
    # are fed at, read two to a model call side by side this many pixels apart (0: each
    # alone). Every crop packed so was worse (a table and actions lost on dev seeds 9473 and
    # 9859), and so were names' variants (their vote found the known name less often: on seed
    # 9967 two rows whose name was re-read, and so flagged, were left unflagged with a wrong
    # value): only the value cells' variants, which must agree to count, are packed
    # (bench/RESULTS.md).
    second_look_pack_gap: int = 16
    # the value cells of rows nothing doubts read again with strokes thinner and squashed; a row
    # whose value then reads as another number is flagged (reading/steady_look.py)
    steady_look: bool = True
    # crops of one padded width run this many to a model call. One: a batch of 8 cost the same
    # CPU time (203 line crops of 4 photos, 3 repetitions: 17.7 CPU-s against 17.2) and raised a
    # worker's peak by 180 MB (2: +9 MB; 4: 0 to 180 MB by which crops meet)
    rec_batch: int = 1
    line_min_confidence: float = 0.5
    # a detected free text line this many times the median line's height is lines that touch:
    # it is cut at the emptiest rows of its ink into that many lines
    line_split_ratio: float = 1.4
    recovered_line_confidence: float = 0.55  # below low_confidence: such a line needs review
    split_below_confidence: float = 0.8  # a tall detected line read less surely is tried cut
    # ... when this many times the median line's height; writing the detector left out is
    # tried as one line and as two from this many times a line's writing (writing_share of it)
    unsure_split_ratio: float = 1.15
    recover_max_width: float = 0.8  # of the view: ink wider than this is an edge, not writing
    # Lines that touch (reading/inklines.py): detected lines whose boxes overlap by
    # touch_overlap of the lesser height or more are read again, each from its own ink; a
    # detected box at least line_split_ratio lines tall whose ink's row profile falls between
    # two bands to band_valley of the lesser band's peak is lines merged, and is tried cut
    # whatever its confidence. Writing is about writing_share of a detected box's height (the
    # detector grows its boxes around the ink).
    touch_overlap: float = 0.12
    # Pieces of one line the detector found apart (a word it missed between them, a stroke that
    # broke its region) are read as one line: boxes side by side that share join_overlap of the
    # greater height or more, no further apart than join_gap times the lesser height, and
    # starting no more than join_back lesser heights inside the one before (the pieces of two
    # touching lines cut apart overlap where one line's end dips into the other's box). On the
    # 80 photos of seeds 9987 and 9473, pieces reaching back 0.52 to 0.84 of a line height were
    # each their line's end ("owner: amar, 46", "Mar 9", left apart at 0.5); the pieces of
    # different lines that met otherwise reached back 1.1 to 1.7 ("why?" over a cause's line)
    join_overlap: float = 0.5
    join_gap: float = 2.0
    join_back: float = 1.0
    touch_foreign_ink: float = 0.15  # ... when the others' ink in its box is this share of its own
    touch_read_margin: float = 0.05  # the own-ink reading stands unless this much less sure
    band_valley: float = 0.35
    writing_share: float = 0.7
    # Nothing lost silently: the lines under a section heading (Root causes, Actions) are
    # counted where they start, in a strip along its left margin section_strip line heights
    # wide, down to the next heading or a blank section_gap line heights tall; two bands of the
    # strip's row profile are two lines where it falls between them to section_valley of the
    # lesser peak, and a band whose peak is below section_band_floor of the highest is no line.
    # More lines than were read (surely) as root causes or actions is said in a warning, and so
    # are section_pieces or more items read than lines (lines read in pieces).
    section_strip: float = 3.0
    section_gap: float = 1.6
    section_valley: float = 0.35
    section_band_floor: float = 0.2
    section_pieces: int = 2
    # ... counted again at the section's own line pitch (the closest two starts) when another
    # gap is section_skip times it or more: lines written closer than the board's others,
    # smoothed into one (seed 9993 photo 21: starts 26 and 68 px apart at a line height of 47;
    # four lines, counted three)
    section_skip: float = 1.7
    # value cells (target, actual) decoded again under their grammar (comparator? number unit?)
    # when the free reading fails it or has a character read less surely than grammar_unsure
    grammar: bool = True
    grammar_unsure: float = 0.9
    grammar_beam: int = 16  # prefixes kept per frame
    grammar_per_frame: int = 8  # characters tried per frame (the most probable)
    grammar_min_prob: float = 1e-3  # a character less probable than this on a frame is not tried
    # log-probability by which the free reading may outdo the grammar's and the grammar's still
    # be used; beyond it the free reading stands (a cell outside the grammar, "TBD")
    grammar_accept_gap: float = 8.0
    # a grammar reading that differs from the free one and is less probable than it by more than
    # this flags the row for review
    grammar_flag_gap: float = 2.0
    # an action whose due date was not read, or read with a character unsure, has the end of its
    # line (its last due_grammar_words words) decoded again under the date grammar ("Aag 28" is
    # "Aug 28"); the same gaps decide, and a due date read so is always flagged for review
    due_grammar: bool = True
    due_grammar_words: int = 4
    # with a team's names known ([team] members), an action whose owner was not read as one of
    # them has the end of its line (its last owner_grammar_words words) decoded again under the
    # owner grammar ('poolemarig' is 'pool @maria'); the same gaps decide, and an owner read so
    # is always flagged for review
    owner_grammar: bool = True
    owner_grammar_words: int = 4
    # faded writing outside the table (a drying marker): where the darkened board (grid's
    # faint_grain, faint_gain) shows ink darker than faint_lines_ink outside the table and every
    # line read, in text-like blobs at least faint_lines_fill inked (the view's outer
    # faint_lines_margin left out: its frame), the lines there are found and read again on the
    # darkened board; kept from faint_lines_min_confidence, and flagged. faint_lines_height:
    # the line height, as a share of the view's, when no line was read to measure it by.
    faint_lines: bool = True
    faint_lines_ink: int = 140
    faint_lines_fill: float = 0.05
    faint_lines_margin: float = 0.02
    faint_lines_height: float = 0.04
    faint_lines_min_confidence: float = 0.6


@dataclass(frozen=True)
class ParseConfig:
    date_order: str = "mdy"  # mdy | dmy, for short dates such as 12/01
    name_match: float = 0.8  # similarity from which a read name is taken as a vocabulary name
    # a title's date this many days or more from the photo's date is doubtful (a year misread)
    review_date_apart_days: int = 183
    # a title's date more than this many days before the photo's EXIF capture date (or any day
    # after it) is doubtful: a board is photographed at its review
    review_capture_days: int = 7
    # similarity from which the start of a line is a section heading (Root causes, Actions), and
    # from which a line that is nothing but a heading is one ("ACTANS:" for "Actions:")
    heading_match: float = 0.85
    heading_alone_match: float = 0.75
    # a lone word under the root causes, before any Actions heading, at least this similar to a
    # one-word Actions heading is taken for it, and said ("ACHicS" for "Actions")
    heading_after_causes_match: float = 0.55
    # ... or this similar, when it starts with the heading's A and stands at the Root causes
    # heading's indentation, not the causes' ("Adias", "Adras" for "Actions")
    heading_at_causes_match: float = 0.3
    # ... or this similar, when the line after it reads as an action ("icns" before "... @ana
    # Apr 6": an owner or a due date, which no cause has)
    heading_before_action_match: float = 0.5
    # ... or two words each at least this similar to its word of a two-word Actions heading
    # (and to the match above): "Acbon ilens" for "Action items", 0.73 and 0.6 alike
    heading_word_match: float = 0.5
    # How much a doubt lowers a row's confidence: every doubt the parser raises (its rules,
    # boardsnap/reading/parse/rules.py, and the value reader's repairs) names one of these
    # factors; a row's confidence is the OCR's times the factor of every doubt raised. In
    # (0, 1]; 1 flags without lowering.
    certainty_absent: float = 0.3  # a value unreadable or not written
    certainty_implausible: float = 0.5  # values impossible or far off each other as read
    certainty_misread: float = 0.6  # a misreading undone, or likely where the verdict hangs on it
    certainty_guessed: float = 0.7  # a unit or comparator guessed, a mark taken for noise
    certainty_doubtful: float = 0.8  # something missing that the verdict may hang on
    certainty_glyph: float = 0.9  # a comparator's glyph or a unit taken from the other value
    certainty_spacing: float = 0.95  # spaces or a "%" drawn as "°/o": changes nothing written
    certainty_decimal_comma: float = 0.98  # "99,9" read as 99.9
    certainty_ocr: float = 1.0  # OCR unsure of a character or a cell: flagged only

    def certainty(self, key: str) -> float:
        """The factor of one `certainty_*` key."""
        return float(getattr(self, "certainty_" + key))


CERTAINTY_KEYS = tuple(
    f.name.removeprefix("certainty_")
    for f in dataclasses.fields(ParseConfig)
    if f.name.startswith("certainty_")
)


@dataclass(frozen=True)
class JudgeConfig:
    near_miss_at: float = 0.9  # budget used from which a met row is a near miss


@dataclass(frozen=True)
class ReportConfig:
    paper: str = "A4"  # A4 | Letter
    audience: str = "internal"  # internal | customer (no owners' names, crops or raw OCR text)
    # Branding: the company named in the header and footer, its logo (PNG, JPEG, GIF or SVG;
    # a relative path is taken from the config file's folder), the accent colour of headings
    # and rules (#rgb or #rrggbb), and a line for the foot of every page ("Confidential", ...).
    company: str = ""
    logo: str = ""
    accent: str = "#1e3a8a"
    footer: str = ""
    month_days: int = 30  # the month length allowed downtime is stated for


@dataclass(frozen=True)
class ExportConfig:
    openslo_window: str = "30d"  # rolling time window of the OpenSLO documents
    # A commitment with no percentile in its name ("MTTR <= 45 min") holds for every event;
    # OpenSLO needs a target below 1, so it gets this one (stated in the document).
    openslo_threshold_target: float = 0.99


@dataclass(frozen=True)
class HistoryConfig:
    # An action on a new board is the same as an open one from an earlier review of the service
    # when it is for the same metric and its normalised text is at least this similar (0..1;
    # the better of a character ratio and a word-order-free ratio, see history.text_similarity).
    action_match: float = 0.8
    trend_reviews: int = 6  # reviews shown in a metric's trend, the current one included
    busy_timeout: float = 30.0  # seconds an SQLite writer waits for another one to finish
    connect_timeout: int = 10  # seconds to reach a PostgreSQL server


@dataclass(frozen=True)
class WebConfig:
    max_upload_bytes: int = 25_000_000  # an upload (photo plus form) larger than this is refused
    workers: int = 2  # extraction threads, each with its own warm OCR engine (CPU-bound)
    max_pending: int = 64  # photos waiting for a worker; more uploads are told to retry
    max_form_fields: int = 2000  # fields of the check form (a board has a few dozen)
    max_form_bytes: int = 2_000_000  # a page's form (check, action status, login) larger: 413
    # a connection must send a request's headers within this many seconds (slow-loris), and
    # its whole body within body_seconds (a 25 MB photo on a slow phone link: well within)
    header_seconds: float = 15.0
    body_seconds: float = 120.0
    shutdown_seconds: float = 3.0  # SIGTERM: requests still running after this are cut off


@dataclass(frozen=True)
class LimitsConfig:
    # wall-clock seconds for one photo (load to report) or one document (render); 0: no limit.
    # A 12 MP photo takes 2-4 s on a laptop core; the limit is for photos that would hang.
    photo_seconds: float = 120.0
    # after the limit, seconds the work gets to stop before the process is ended (C code that
    # does not return to Python cannot be interrupted any other way)
    hang_grace_seconds: float = 5.0
    document_bytes: int = 20_000_000  # a board JSON larger than this is refused unread
    # A batch worker's memory (glibc). The heap is trimmed after each photo. With a threshold,
    # blocks of that many bytes or more also get a mapping of their own, given back when freed:
    # left to itself glibc raises its threshold up to 32 MB as photo-sized arrays are freed and
    # keeps later ones in its heap. It saves memory and costs CPU (AMD EPYC, bench seed 9311):
    # 256 KB: peak 394 MB against 544 over 40 photos, but extract CPU x1.8; 4 MB: peak 414-434
    # against 475-520 over 20 photos, CPU +20 %; 16 MB: no steady saving. 0 (default): glibc's
    # own threshold; for a machine short of memory, not of time, set one.
    worker_mmap_threshold: int = 0


@dataclass(frozen=True)
class NotifyConfig:
    # URLs that get a JSON event (review.saved, action.overdue) when a review is saved; Slack,
    # Mattermost and Teams incoming webhooks show its `text` field as it is
    webhooks: tuple[str, ...] = ()
    # signs each body with HMAC-SHA256 in the X-BoardSnap-Signature-256 header when set
    secret: str = ""
    timeout_seconds: float = 5.0  # per attempt
    attempts: int = 3  # tries per delivery; a failed one is kept in the outbox to resend
    backoff_seconds: float = 0.5  # before the second attempt; doubled before each next one
    # the web app's address as people reach it (https://boardsnap.example.com): its events then
    # link the published report; without it the link is the path on the server
    report_base_url: str = ""


@dataclass(frozen=True)
class TeamConfig:
    # the people who own actions ("raj", "maria"): an owner read a letter or two off one of them
    # is taken as that person, flagged for review; an owner not on the roster is flagged
    members: tuple[str, ...] = ()
    owner_match: float = 0.6  # similarity from which a read owner is taken as a member
    # an action line's last word (no '@', "owner:" or brackets read) this close to a member is
    # taken as that member's name, flagged: "- ANA", "AFATIM" (the '@' read as an A)
    owner_word_match: float = 0.8
    # the services this team reviews ("Payments API", "Ledger"): a service read a letter or two
    # off one of them ("Leager") is taken as it, and the document says so in a warning
    services: tuple[str, ...] = ()
    service_match: float = 0.75  # similarity from which a read service is taken as a known one
    # metric names this team writes that BoardSnap's vocabulary does not know ("Checkout
    # conversions"): a row whose name is in neither is flagged, as a misread name would be
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class SloConfig:
    # OpenSLO or sloth files (or folders of them) every board is checked against (--slo adds
    # more); relative to the config file
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    load: LoadConfig = field(default_factory=LoadConfig)
    board: BoardConfig = field(default_factory=BoardConfig)
    grid: GridConfig = field(default_factory=GridConfig)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    parse: ParseConfig = field(default_factory=ParseConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    web: WebConfig = field(default_factory=WebConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    slo: SloConfig = field(default_factory=SloConfig)
    team: TeamConfig = field(default_factory=TeamConfig)

    def __post_init__(self) -> None:
        _check(0 < self.judge.near_miss_at <= 1, "judge.near_miss_at must be in (0, 1]")
        _check(self.parse.date_order in ("mdy", "dmy"), "parse.date_order must be mdy or dmy")
        for key in (
            "heading_match",
            "heading_alone_match",
            "heading_after_causes_match",
            "heading_at_causes_match",
            "heading_before_action_match",
            "heading_word_match",
        ):
            _check(0 < getattr(self.parse, key) <= 1, f"parse.{key} must be above 0 and at most 1")
        for key in CERTAINTY_KEYS:
            value = self.parse.certainty(key)
            _check(0 < value <= 1, f"parse.certainty_{key} must be in (0, 1]")
        _check_ocr(self.ocr)
        _check(self.report.paper in ("A4", "Letter"), "report.paper must be A4 or Letter")
        _check(
            self.report.audience in ("internal", "customer"),
            "report.audience must be internal or customer",
        )
        _check(
            bool(HEX_COLOUR.fullmatch(self.report.accent)),
            f"report.accent {self.report.accent!r} is not a colour: write it as #rrggbb or #rgb",
        )
        _check(1 <= self.report.month_days <= 31, "report.month_days must be 1..31")
        _check(
            bool(DURATION.fullmatch(self.export.openslo_window)),
            "export.openslo_window must be a duration such as 30d, 4w or 1M",
        )
        _check(
            0 < self.export.openslo_threshold_target < 1,
            "export.openslo_threshold_target must be in (0, 1)",
        )
        _check(self.load.max_pixels > 0, "load.max_pixels must be positive")
        _check(0 < self.history.action_match <= 1, "history.action_match must be in (0, 1]")
        _check(self.history.trend_reviews >= 2, "history.trend_reviews must be at least 2")
        _check(self.history.busy_timeout >= 0, "history.busy_timeout must not be negative")
        _check(self.web.max_upload_bytes > 0, "web.max_upload_bytes must be positive")
        _check(self.web.workers >= 1, "web.workers must be at least 1")
        _check(self.web.max_pending >= 1, "web.max_pending must be at least 1")
        _check(self.web.max_form_bytes > 0, "web.max_form_bytes must be positive")
        for name in ("header_seconds", "body_seconds", "shutdown_seconds"):
            _check(getattr(self.web, name) > 0, f"web.{name} must be positive")
        _check(
            0 <= self.limits.photo_seconds <= 1e6, "limits.photo_seconds must be 0 (none) to 1e6"
        )
        _check(
            0 <= self.limits.hang_grace_seconds <= 1e6, "limits.hang_grace_seconds must be 0 to 1e6"
        )
        _check(self.limits.document_bytes > 0, "limits.document_bytes must be positive")
        _check(
            0 <= self.limits.worker_mmap_threshold <= 1 << 25,
            "limits.worker_mmap_threshold must be 0 (glibc's own) to 33554432 bytes",
        )
        for url in self.notify.webhooks:
            _check(
                isinstance(url, str) and bool(re.match(r"https?://[^/\s]+", url)),
                f"notify.webhooks: {url!r} is not an http(s):// URL",
            )
        _check(
            all(isinstance(m, str) and m.strip() for m in self.team.members),
            "team.members must be a list of names",
        )
        _check(0 < self.team.owner_match <= 1, "team.owner_match must be in (0, 1]")
        _check(0 < self.team.owner_word_match <= 1, "team.owner_word_match must be in (0, 1]")
        _check(
            all(isinstance(m, str) and m.strip() for m in self.team.services),
            "team.services must be a list of names",
        )
        _check(0 < self.team.service_match <= 1, "team.service_match must be in (0, 1]")
        _check(
            all(isinstance(m, str) and m.strip() for m in self.team.metrics),
            "team.metrics must be a list of names",
        )
        _check(0 < self.notify.timeout_seconds <= 300, "notify.timeout_seconds must be 0..300")
        _check(1 <= self.notify.attempts <= 10, "notify.attempts must be from 1 to 10")
        _check(0 <= self.notify.backoff_seconds <= 60, "notify.backoff_seconds must be 0..60")

    def with_overrides(self, **sections: dict[str, Any]) -> Config:
        """A copy with some settings changed: `cfg.with_overrides(judge={"near_miss_at": .8})`."""
        changes = {}
        for name, values in sections.items():
            values = {k: v for k, v in values.items() if v is not None}
            if values:
                changes[name] = _replace_section(getattr(self, name), name, values)
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise BadInput(f"cannot read config ({exc.strerror})", path=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(
                f"not valid TOML ({exc})", path=str(path), fix="fix the syntax"
            ) from None
        base = cls()
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise BadInput(
                f"unknown config section(s) {', '.join(sorted(unknown))}",
                path=str(path),
                fix="sections are " + ", ".join(f.name for f in dataclasses.fields(cls)),
            )
        slo = data.get("slo")
        if isinstance(slo, dict) and isinstance(slo.get("files"), list):
            # contract files are relative to the config file, wherever the command runs
            slo["files"] = [
                str(Path(path).resolve().parent / Path(f).expanduser()) if isinstance(f, str) else f
                for f in slo["files"]
            ]
        report = data.get("report")
        if isinstance(report, dict) and isinstance(report.get("logo"), str) and report["logo"]:
            # a logo path is relative to the config file, wherever the command runs
            logo = Path(report["logo"]).expanduser()
            if not logo.is_absolute():
                report["logo"] = str(Path(path).resolve().parent / logo)
        try:
            return base.with_overrides(**data)
        except BadInput as exc:
            raise BadInput(exc.message, path=str(path), fix=exc.fix) from None


def _replace_section(section: Any, name: str, values: dict[str, Any]) -> Any:
    known = {f.name: f for f in dataclasses.fields(section)}
    for key, value in values.items():
        if key not in known:
            raise BadInput(f"unknown setting {name}.{key}", fix="see boardsnap/config.py")
        default = getattr(section, key)
        if isinstance(default, tuple) and isinstance(value, list):
            values[key] = value = tuple(value)  # TOML's arrays are lists
        if default is not None and not isinstance(value, type(default)):
            if not (isinstance(default, float) and isinstance(value, int)):
                raise BadInput(f"{name}.{key} must be a {type(default).__name__}")
    try:
        return dataclasses.replace(section, **values)
    except TypeError as exc:
        raise BadInput(f"bad setting in [{name}]: {exc}") from None


def _check_ocr(ocr: OcrConfig) -> None:
    """The [ocr] settings' bounds: BadInput naming the first one out of them."""
    _check(
        ocr.engine in ("auto", "rapidocr", "tesserocr", "pytesseract"),
        "ocr.engine must be auto, rapidocr, tesserocr or pytesseract",
    )
    _check(1 <= ocr.second_look_votes <= 4, "ocr.second_look_votes must be from 1 to 4")
    _check(
        1 <= ocr.second_look_name_votes <= 4,
        "ocr.second_look_name_votes must be from 1 to 4",
    )
    _check(
        0 <= ocr.grammar_flag_gap <= ocr.grammar_accept_gap,
        "ocr.grammar_flag_gap must be from 0 to ocr.grammar_accept_gap",
    )
    _check(ocr.rec_batch >= 1, "ocr.rec_batch must be at least 1")
    _check(
        ocr.detect_tile_rows == 0 or 0 < ocr.detect_tile_overlap < ocr.detect_tile_rows,
        "ocr.detect_tile_rows must be 0 (no bands) or more than ocr.detect_tile_overlap,"
        " itself above 0",
    )
    _check(
        ocr.second_look_value_min_width >= 32,
        "ocr.second_look_value_min_width must be at least 32",
    )
    _check(0 < ocr.join_overlap <= 1, "ocr.join_overlap must be above 0 and at most 1")
    _check(ocr.join_gap >= 0, "ocr.join_gap must be 0 or more")
    _check(ocr.join_back >= 0, "ocr.join_back must be 0 or more")
    _check(ocr.around_reach >= 0, "ocr.around_reach must be 0 or more")
    _check(0 < ocr.around_same_line <= 1, "ocr.around_same_line must be above 0 and at most 1")
    _check(ocr.grammar_beam >= 1, "ocr.grammar_beam must be at least 1")
    _check(ocr.due_grammar_words >= 1, "ocr.due_grammar_words must be at least 1")
    _check(ocr.owner_grammar_words >= 1, "ocr.owner_grammar_words must be at least 1")
    _check(1 <= ocr.grammar_per_frame <= 64, "ocr.grammar_per_frame must be from 1 to 64")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise BadInput(message, fix="change the option or the config file")
