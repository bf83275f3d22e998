"""nianbao: crawl, archive and parse Chinese government annual disclosure reports."""

__version__ = "0.1.0"
