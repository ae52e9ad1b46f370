"""`zhpile engine up` takes the conventional ports where they are free and free ones where
they are not, and the cluster's helpers find them again (no engine needed)."""
import dataclasses
import socket

from zhpile.pipelines import engines


def test_a_taken_port_is_replaced_by_a_free_one(tmp_path, monkeypatch):
    monkeypatch.setenv("ZHPILE_ENGINES", str(tmp_path))
    (tmp_path / "flink-beam2.62.0").mkdir()
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind((engines.HOST, 0))
        taken.listen()
        held = taken.getsockname()[1]
        # Flink, whose conventional UI port is the one this test holds.
        flink = dataclasses.replace(engines.FLINK, ports=(("ui", held), *engines.FLINK.ports[1:]))
        chosen = engines.choose_ports(flink)
        assert chosen["ui"] != held
    assert len(set(chosen.values())) == len(chosen)
    for port in chosen.values():
        with socket.socket() as s:  # free, so a server can bind it
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((engines.HOST, port))
    assert engines.ports(flink) == chosen
    assert f"--job_endpoint={engines.HOST}:{chosen['job']} " in engines.run_options(flink, 2)
