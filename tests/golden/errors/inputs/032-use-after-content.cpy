# 'use' lines must come first.
import os
use Helpers
CherryClass Root:
mask:
    def index(self):
        Hello
