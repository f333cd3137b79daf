"""The history of reviews: the store, its migrations, the database behind it, the views of it."""
