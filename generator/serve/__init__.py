"""`nianbao serve`: the form in a browser."""
