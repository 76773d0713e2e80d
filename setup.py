"""Builds the TypeScript frontend into tb_phaseview/static as part of build_py; the metadata is in pyproject.toml."""

import os
import shutil
import subprocess

from setuptools import Command, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
FRONTEND = os.path.join(HERE, "frontend")
STATIC = os.path.join(HERE, "tb_phaseview", "static")
BUILT = ("index.js", "app.js", "layout.worker.js")  # what frontend/build.mjs writes into STATIC


def _built() -> bool:
    return all(os.path.isfile(os.path.join(STATIC, name)) for name in BUILT)


class BuildFrontend(Command):
    """npm ci + esbuild into tb_phaseview/static; fails loudly rather than installing a plugin with no UI."""

    description = "build the TypeScript frontend into tb_phaseview/static"
    user_options = []

    def initialize_options(self):
        pass

    def finalize_options(self):
        pass

    def run(self):
        if os.environ.get("TB_PHASEVIEW_FRONTEND_BUILT") == "1":
            return  # the Makefile built it already (editable installs would hide a failure here)
        if not os.path.isdir(FRONTEND):
            if _built():
                return  # building from an sdist whose frontend is already built
            raise RuntimeError(
                f"tb_phaseview: no frontend/ sources and no built {', '.join(BUILT)} in tb_phaseview/static"
            )
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise RuntimeError(
                "tb_phaseview: Node.js and npm are needed to build the frontend from a source checkout "
                "(install Node.js 20 or newer, then install again)"
            )
        if not os.path.isdir(os.path.join(FRONTEND, "node_modules")):
            subprocess.check_call([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND)
        subprocess.check_call([npm, "run", "build"], cwd=FRONTEND)
        if not _built():
            raise RuntimeError(f"tb_phaseview: the frontend build did not write all of {', '.join(BUILT)}")


class BuildPyWithFrontend(build_py):
    def run(self):
        self.run_command("build_frontend")
        super().run()


setup(cmdclass={"build_frontend": BuildFrontend, "build_py": BuildPyWithFrontend})
