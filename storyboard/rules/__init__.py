"""Storyboard rules: pure Python, no Django. The README section "Checking storyboards from the
command line" documents the report and its codes.

The most used names are re-exported here::

    from storyboard.rules import Storyboard, Target, check, cross_target_strip, build_body
"""

from .batch import BatchFormatError, dump_batch, parse_batch
from .bodies import BodyOptions, ElementAsImage, build_body
from .capabilities import CAPABILITIES, TARGETS, capability_for
from .checks import CheckContext, TargetVerdict, check, check_and_strip, cross_target_strip
from .model import Attachment, Settings, Shot, Storyboard, Target
from .report import CODES, Problem, Report

__all__ = [
    "CAPABILITIES",
    "CODES",
    "TARGETS",
    "Attachment",
    "BatchFormatError",
    "BodyOptions",
    "CheckContext",
    "ElementAsImage",
    "Problem",
    "Report",
    "Settings",
    "Shot",
    "Storyboard",
    "Target",
    "TargetVerdict",
    "build_body",
    "capability_for",
    "check",
    "check_and_strip",
    "cross_target_strip",
    "dump_batch",
    "parse_batch",
]
