"""cpctl, the control plane's command-line client. It speaks only HTTP to the API (an import-linter
contract keeps it from importing the apps), so it can be installed and used wherever the API is reachable."""
