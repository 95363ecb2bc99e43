"""crpsdigest: a weekly digest of CRPS treatment news from many feeds."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/crpsdigest/crpsdigest"
USER_AGENT = f"crpsdigest/{__version__} (+{PROJECT_URL})"
