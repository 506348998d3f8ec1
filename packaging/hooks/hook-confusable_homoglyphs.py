# categories.json and confusables.json are read next to the module at import time.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("confusable_homoglyphs")
