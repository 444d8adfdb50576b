"""Packages are discovered; templates/ (at the top of the repository) goes into the wheel as
generator/templates, where generator/resources.py looks for it first. Its folders are listed as
packages too (generator.templates.serve…): setuptools warns of a folder it is not told about
("Package would be ignored")."""

from setuptools import find_namespace_packages, setup

templates = ["generator.templates", *(f"generator.templates.{name}" for name in find_namespace_packages("templates"))]
setup(packages=[*find_namespace_packages(include=["generator*"]), *templates], package_dir={"generator.templates": "templates"})
