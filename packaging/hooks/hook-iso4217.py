# The ISO 4217 table ships as table.xml beside the module.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("iso4217", excludes=["test.py"])
