"""Reports: parameters, papermill runs, offline HTML rendering and the index."""
