"""A stand-in call app for scripts/screenshots.py: shows one picture in a titled top-level window, in its
own process as a real call app is (CallShield never offers or counts its own process's windows).

Usage: python scripts/stand_in_call.py PICTURE.png TITLE WxH+X+Y"""

from __future__ import annotations

import re
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel


def main() -> int:
    if len(sys.argv) != 4 or not (shape := re.fullmatch(r"(\d+)x(\d+)\+(\d+)\+(\d+)", sys.argv[3])):
        print("usage: stand_in_call.py PICTURE.png TITLE WxH+X+Y", file=sys.stderr)
        return 2
    app = QApplication(sys.argv[:1])
    width, height, left, top = (int(n) for n in shape.groups())
    window = QLabel()
    window.setWindowTitle(sys.argv[2])
    window.setPixmap(QPixmap(sys.argv[1]).scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))
    window.setGeometry(left, top, width, height)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
