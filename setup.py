"""Only for `scrapyd-deploy`, which builds its egg with `setup.py`; the metadata is pyproject.toml's."""

from setuptools import setup

setup()
