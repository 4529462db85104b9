"""One router per resource; every route is thin and calls the analytics core."""
