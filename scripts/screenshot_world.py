"""What the screenshots show: the organisation made through the engine's own functions (the set-up
ceremony, people who set their own passwords, a directory entry, a weakening waiting for a second
admin) and a recording cut short. Used by scripts/screenshots.py."""

from __future__ import annotations

from pathlib import Path


ADMIN_PASSWORD = "screenshot admin password"
INITIAL_PASSWORD = "initial screenshot password"  # what an admin sets; each person then sets their own


def cut_copy(recording: str, tmp: Path) -> Path:
    """The recording's picture as a streaming MP4 (index first), cut to 40 % of its bytes, as a
    download or a copy that stopped part-way leaves it."""
    from fractions import Fraction

    import av

    whole, cut = tmp / "whole.mp4", tmp / "recording-cut-short.mp4"
    with av.open(recording) as inp, av.open(str(whole), "w", options={"movflags": "faststart"}) as out:
        stream = inp.streams.video[0]
        vs = out.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = stream.codec_context.width, stream.codec_context.height, "yuv420p"
        for i, frame in enumerate(inp.decode(stream)):
            image = av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")
            image.pts, image.time_base = i, Fraction(1, 25)
            for packet in vs.encode(image):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 5])
    return cut


def admin_world(args: object, tmp: Path) -> dict[str, Path]:
    """The set-up ceremony's two admins with registered signing keys, a requester and an approver who
    set their own passwords, a directory entry, and a weakening bea proposed, all made through the
    engine's own functions on the app's database."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.controllers.workflow_session import default_context_factory
    from verification.audit.keys import SigningKey, write_private_key
    from verification.policy.changes import propose_policy
    from verification.policy.default import default_policy
    from verification.policy.parse import policy_document
    from verification.workflow import directory, policy_keys, users
    from verification.workflow.roles import Role

    ctx, _data_dir = default_context_factory(getattr(args, "db"), getattr(args, "data_dir"))()
    ada, bea = users.bootstrap_admins(ctx, [("ada", ADMIN_PASSWORD, "Ada Admin"), ("bea", ADMIN_PASSWORD, "Bea Admin")])
    for name, roles, display in (("rita", [Role.REQUESTER], "Rita Requester"),
                                 ("alan", [Role.APPROVER], "Alan Approver")):
        users.add_user(ctx, ada, name, roles, INITIAL_PASSWORD, display)
        if Role.APPROVER in roles:
            users.confirm_admin(ctx, bea, name)  # the second admin of the two-person rule
        users.set_password(ctx, users.authenticate(ctx, name, INITIAL_PASSWORD), name, ADMIN_PASSWORD)
    # a grant still waiting for a second admin, for the Users page
    users.add_user(ctx, ada, "otto", [Role.REQUESTER, Role.APPROVER], INITIAL_PASSWORD, "Otto Clerk")
    directory.add_entry(ctx, ada, "Acme Supplies", "counterparty", "Acme Ltd")
    directory.add_phone(ctx, ada, "Acme Supplies", "+44 20 7946 0000", "vendor master data, signed contract 2023-04")
    keys: dict[str, Path] = {}
    signers = {}
    for user in (ada, bea):
        private = Ed25519PrivateKey.generate()
        keys[user.name] = tmp / f"{user.name}.pem"
        write_private_key(keys[user.name], private)
        signers[user.name] = SigningKey.from_private(private)
        policy_keys.register_admin_key(ctx, user, signers[user.name].public_b64)
    weaker = policy_document(default_policy())
    weaker["limits"]["request_ttl_hours"] = 168
    propose_policy(ctx, bea, weaker, signers["bea"])
    ctx.database.dispose()
    return keys
