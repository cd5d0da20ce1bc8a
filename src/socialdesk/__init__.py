"""socialdesk: the self-hosted workbench of a company's social media manager."""

__version__ = "0.1.0"
