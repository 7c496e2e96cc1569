"""Qt item models the views bind to. They page; none loads a whole table."""
