"""`patentdesk serve`: the portal and REST API over the catalogue, with uvicorn."""

from __future__ import annotations

import os

import click

from .cli import Context, common, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each opens its own connection to the catalogue).")
@click.option("--proxy-headers/--no-proxy-headers", default=False, show_default=True,
              help="Trust X-Forwarded-For/-Proto from a reverse proxy on this machine.")
@common
def serve(ctx: Context, host: str, port: int, workers: int, proxy_headers: bool) -> None:
    """Serve the search portal and the REST API (/api/v1, /openapi.json)."""
    import uvicorn

    from .web.app import WebOptions, create_app

    settings = ctx.settings.ensure()
    ctx.catalogue.count()  # opening it brings the schema up to date once, before any worker starts
    options = WebOptions.from_env()
    click.echo(f"patentdesk serving {settings.home} at http://{host}:{port}/", err=True)
    from .ops.logconfig import uvicorn_log_config

    common_args = {"host": host, "port": port, "proxy_headers": proxy_headers,
                   "forwarded_allow_ips": "127.0.0.1", "server_header": False,
                   "log_config": uvicorn_log_config()}
    if workers == 1:
        uvicorn.run(create_app(settings, options), **common_args)  # type: ignore[arg-type]
        return
    # Each worker process imports the app anew, so the settings travel in the environment.
    os.environ["PATENTDESK_HOME"] = str(settings.home)
    os.environ["PATENTDESK_DATABASE_URL"] = settings.database_url
    os.environ.update(options.to_env())
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # the workers share their metrics through files; a folder of this run, empty at start
        import shutil

        shared = settings.home / "run" / f"metrics-{os.getpid()}"
        shutil.rmtree(shared, ignore_errors=True)
        shared.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    import socket

    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("patentdesk.web.app:app_from_env", factory=True, workers=workers,
                            **common_args)  # type: ignore[arg-type]
    sock = config.bind_socket()
    # asyncio turns Nagle's algorithm off on accepted connections only when the listening socket
    # says IPPROTO_TCP; the socket uvicorn binds for its workers says 0, which costs every
    # keep-alive request about 40 ms of delayed ACK.
    sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    Multiprocess(config, sockets=[sock]).run()
