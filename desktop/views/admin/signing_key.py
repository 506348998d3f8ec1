"""The admin's policy-signing key: a key file (and its passphrase) chosen for this session, a new
key written on request, and registering its public half with the engine. Nothing is remembered
after the app closes; the private key never leaves its file."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from desktop.controllers.admin_keys import create_signing_key, load_signing_key, register_signing_key
from desktop.controllers.workflow_session import WorkflowSession
from verification.audit.keys import SigningKey
from verification.errors import CallShieldError


class SigningKeyBar(QWidget):
    said = Signal(str)  # one line for the page's result label

    def __init__(self, session: WorkflowSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.path = QLineEdit()
        self.path.setPlaceholderText("your policy-signing key file (.pem)")
        self.path.setAccessibleName("Policy-signing key file")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAccessibleName("Choose the policy-signing key file")
        self.browse_button.clicked.connect(self._browse)
        self.new_button = QPushButton("New key…")
        self.new_button.setAccessibleName("Create a new policy-signing key file")
        self.new_button.clicked.connect(self._choose_new)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("passphrase (if any)")
        self.passphrase.setAccessibleName("Key passphrase")
        self.register_button = QPushButton("Re&gister key")
        self.register_button.setAccessibleName("Register this key as yours")
        self.register_button.clicked.connect(self.register)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Signing key"))
        layout.addWidget(self.path, 2)
        layout.addWidget(self.browse_button)
        layout.addWidget(self.new_button)
        layout.addWidget(self.passphrase, 1)
        layout.addWidget(self.register_button)

    def key(self) -> SigningKey:
        """The chosen key; CallShieldError (one line) when it cannot be read."""
        return load_signing_key(self.path.text(), self.passphrase.text())

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Policy-signing key", "", "Private key (*.pem);;All files (*)")
        if name:
            self.path.setText(name)

    def _choose_new(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "New policy-signing key", "policy-signing-key.pem",
                                              "Private key (*.pem)")
        if name:
            self.create(name)

    def create(self, path: str) -> bool:
        try:
            key = create_signing_key(path, self.passphrase.text())
        except CallShieldError as error:
            self.said.emit(str(error))
            return False
        self.path.setText(path)
        self.said.emit(f"Wrote a new key to {path} (key id {key.key_id}); register it to sign policies.")
        return True

    def register(self) -> bool:
        try:
            key_id = register_signing_key(self.session, self.key())
        except CallShieldError as error:
            self.said.emit(str(error))
            return False
        self.said.emit(f"Registered policy-signing key {key_id} as yours.")
        return True
