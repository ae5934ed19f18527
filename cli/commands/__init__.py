"""cpctl's commands beyond the connector basics of cli/main.py, one module per concern, registered on its group."""
