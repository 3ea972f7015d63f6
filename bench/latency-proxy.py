#!/usr/bin/env python3
"""A TCP proxy that adds a fixed delay to every HTTP request: a distant endpoint on a local machine.

Usage: latency-proxy.py LISTEN_PORT TARGET_PORT DELAY_MS

A request is the client's first bytes after the server last answered on that connection (keep-alive
connections carry one request after another), so each one waits DELAY_MS once before it is forwarded;
bodies that follow their headers are not delayed again. Loopback only.
"""
import asyncio
import sys


async def pipe(reader, writer, state, delay, is_request):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if is_request and state["answered"]:
                state["answered"] = False
                await asyncio.sleep(delay)
            elif not is_request:
                state["answered"] = True
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - the other side is gone already
            pass


async def main():
    listen, target, delay_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    delay = delay_ms / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.close()
            return
        state = {"answered": True}
        await asyncio.gather(pipe(client_reader, server_writer, state, delay, True),
                             pipe(server_reader, client_writer, state, delay, False))

    # A client at 256 transfers opens 256 connections at once: asyncio's default backlog of 100 would drop the
    # SYNs beyond it, and each dropped one waits a 1 s retransmit.
    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
