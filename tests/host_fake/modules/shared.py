"""Stand-in for modules/shared.py + shared_options: opts, OptionInfo, cmd_opts."""

from __future__ import annotations

import types


class OptionInfo:
    def __init__(
        self,
        default=None,
        label="",
        component=None,
        component_args=None,
        onchange=None,
        section=None,
        refresh=None,
        comment_before="",
        comment_after="",
        infotext=None,
        restrict_api=False,
        category_id=None,
    ):
        self.default = default
        self.label = label
        self.component = component
        self.component_args = component_args
        self.onchange = onchange
        self.section = section
        self.category_id = category_id


class Options:
    def __init__(self):
        self.__dict__["data_labels"] = {}
        self.__dict__["data"] = {}

    def add_option(self, key, info):
        if info.section is None:
            raise ValueError("the WebUI's dumpjson() reads section[0]; an option needs a section")
        self.data_labels[key] = info
        if key not in self.data:
            self.data[key] = info.default

    def __getattr__(self, item):
        if item in self.data:
            return self.data[item]
        raise AttributeError(item)


def options_section(section_identifier, options_dict):
    for value in options_dict.values():
        value.section = section_identifier
    return options_dict


opts = Options()
cmd_opts = types.SimpleNamespace(embeddings_dir="embeddings", gradio_auth=None)


class State:
    """Stand-in for modules/shared_state.py's State: Interrupt/Skip flags and the job counter."""

    skipped = False
    interrupted = False
    job = ""
    job_no = 0
    job_count = 0

    def skip(self):
        self.skipped = True

    def interrupt(self):
        self.interrupted = True

    def nextjob(self):
        self.job_no += 1

    def begin(self, job: str = "(unknown)"):
        self.job_count = -1
        self.job_no = 0
        self.skipped = False
        self.interrupted = False
        self.job = job
        self.begun = getattr(self, "begun", 0) + 1

    def end(self):
        self.job = ""
        self.job_count = 0


state = State()
