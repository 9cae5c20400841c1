"""One module per dashboard page: its routes, its views, nothing else."""
