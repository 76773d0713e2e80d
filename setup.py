"""Packaging for tb_phaseview. Building from a source checkout bundles the TypeScript frontend (needs Node.js)."""

import os
import shutil
import subprocess

from setuptools import Command, find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
FRONTEND = os.path.join(HERE, "frontend")
STATIC = os.path.join(HERE, "tb_phaseview", "static")


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
            if os.path.isfile(os.path.join(STATIC, "index.js")):
                return  # building from an sdist whose frontend is already built
            raise RuntimeError("tb_phaseview: no frontend/ sources and no built tb_phaseview/static/index.js")
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise RuntimeError(
                "tb_phaseview: Node.js and npm are needed to build the frontend from a source checkout "
                "(install Node.js 20 or newer, then install again)"
            )
        if not os.path.isdir(os.path.join(FRONTEND, "node_modules")):
            subprocess.check_call([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND)
        subprocess.check_call([npm, "run", "build"], cwd=FRONTEND)
        if not os.path.isfile(os.path.join(STATIC, "index.js")):
            raise RuntimeError("tb_phaseview: the frontend build wrote no tb_phaseview/static/index.js")


class BuildPyWithFrontend(build_py):
    def run(self):
        self.run_command("build_frontend")
        super().run()


setup(
    name="tb_phaseview",
    version="0.1.0",
    description="TensorBoard plugin: a graph view that tags and collapses learning-phase edges",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["tb_phaseview", "tb_phaseview.*"]),
    package_data={"tb_phaseview": ["static/*"]},
    python_requires=">=3.9",
    install_requires=["tensorboard>=2.16", "protobuf>=3.20"],
    extras_require={
        "demo": ["tensorflow-cpu==2.21.0", "tf_keras==2.21.0"],
        "test": ["pytest", "hypothesis", "playwright", "tensorflow-cpu==2.21.0", "tf_keras==2.21.0"],
    },
    entry_points={
        "tensorboard_plugins": ["phaseview = tb_phaseview.plugin:PhaseViewPlugin"],
        "console_scripts": ["tb-phaseview = tb_phaseview.cli:main"],
    },
    cmdclass={"build_frontend": BuildFrontend, "build_py": BuildPyWithFrontend},
)
