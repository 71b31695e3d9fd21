"""Stand-in for modules/scripts.py: the script runner a processing object carries.

Only what processing reads: a fresh ``ScriptRunner()`` holds no scripts, so its hooks do nothing.
"""


class ScriptRunner:
    def __init__(self):
        self.scripts = []
        self.selectable_scripts = []
        self.alwayson_scripts = []
        self.titles = []
        self.title_map = {}
        self.infotext_fields = []
        self.paste_field_names = []
        self.inputs = [None]
        self.callback_map = {}
