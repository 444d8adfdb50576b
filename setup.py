"""Packages are discovered; templates/ (at the top of the repository) goes into the wheel as
generator/templates, where generator/resources.py looks for it first."""

from setuptools import find_namespace_packages, setup

setup(packages=[*find_namespace_packages(include=["generator*"]), "generator.templates"], package_dir={"generator.templates": "templates"})
