"""A bounded load test of `cdp serve`'s look-up against localhost: the latency a queue at the till would see.

    python -m bench.serve_load --warehouse W [--clients 20] [--requests 6000] [--seconds 120]

Starts `cdp serve` on a free loopback port (with a tokens file, as a till would reach it), samples customers from the
warehouse and writes their identifiers the way people type them (e-mail in mixed case, phone with spaces, national or
without the +, loyalty card with spaces, customer id; one in twenty matches nobody), then runs `--clients` clients
at once, each on its own keep-alive connection sending POST /api/v1/lookup back to back (no think time) until
`--requests` look-ups are done or `--seconds` have passed. Then the same for the look-up page (GET
/customers/{customer_id}, server-rendered HTML). Prints p50, p95, p99 and max per kind; the target is p99 <= 50 ms
for the API at 100,000 customers with 20 clients. The clients run on the same two cores as the server, so the figures
include their cost.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

TARGET_P99_MS = 50.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def typed_identifiers(warehouse: Path, customers: int, seed: int) -> list[str]:
    """Identifiers of `customers` sampled customers, spelt as a person at a till would type them."""
    rng = random.Random(seed)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select customer_id, identifier_type, identifier_value from marts.identity_map
            where customer_id in (
                select customer_id from marts.dim_customers where is_known_customer
                order by hash(customer_id || ?) limit ?
            ) and identifier_type in ('email', 'phone', 'loyalty_card')
            """,
            [str(seed), customers],
        ).fetchall()
    finally:
        con.close()
    typed = []
    for customer_id, identifier_type, value in rows:
        if identifier_type == "email":
            local, _, domain = value.partition("@")
            typed.append(f"{local.capitalize()}@{domain.upper()}")
        elif identifier_type == "phone" and value.startswith("+44"):
            national = "0" + value[3:]
            typed.append(rng.choice([f"{national[:5]} {national[5:]}", value[1:], f"+44 {value[3:7]} {value[7:]}"]))
        elif identifier_type == "loyalty_card":
            typed.append(" ".join(re.findall(".{1,4}", value)))
        else:
            typed.append(value)
        if rng.random() < 0.2:
            typed.append(customer_id)
    typed += [f"nobody-{index}@example.org" for index in range(max(1, len(typed) // 20))]
    rng.shuffle(typed)
    return typed


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)

    return {
        "requests": len(ordered),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


def run_clients(port: int, token: str, requests: Sequence[tuple[str, str, bytes | None]], clients: int, seconds: float):
    """Send the requests from `clients` threads at once (each on its own connection); latencies and status counts."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    cursor = [0]
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start = threading.Barrier(clients)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        start.wait()
        while time.monotonic() < deadline:
            with lock:
                index = cursor[0]
                cursor[0] += 1
            if index >= len(requests):
                break
            method, path, body = requests[index]
            began = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - began) * 1000)
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return latencies, statuses, elapsed


def wait_ready(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cdp serve stopped with exit code {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if json.loads(connection.getresponse().read()).get("ready"):
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"cdp serve was not ready within {timeout:.0f} s")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.serve_load", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=6000, help="look-ups to send (the bound on count)")
    parser.add_argument("--seconds", type=float, default=120.0, help="the bound on time, per kind of request")
    parser.add_argument("--customers", type=int, default=2000, help="customers to sample identifiers from")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    identifiers = typed_identifiers(args.warehouse, args.customers, args.seed)
    token = secrets.token_urlsafe(24)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        tokens_file = Path(folder) / "tokens.yml"
        tokens_file.write_text(json.dumps({"tokens": [{"name": "bench-till", "role": "service", "token": token}]}))
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "cdp_runner.cli", "serve", "--warehouse", str(args.warehouse), "--port", str(port),
             "--tokens", str(tokens_file), "--refresh-seconds", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ},
        )  # fmt: skip
        try:
            wait_ready(port, process, timeout=900)
            ready_seconds = time.monotonic() - started
            api = [
                ("POST", "/api/v1/lookup", json.dumps({"identifier": identifiers[index % len(identifiers)]}).encode())
                for index in range(args.requests)
            ]
            run_clients(port, token, api[:200], args.clients, 30)  # warm-up
            latencies, statuses, elapsed = run_clients(port, token, api, args.clients, args.seconds)
            figures = {
                "customers_in_warehouse": _customers(port, token),
                "clients": args.clients,
                "startup_seconds": round(ready_seconds, 1),
                "api": {
                    **percentiles(latencies),
                    "per_second": round(len(latencies) / elapsed, 1),
                    "statuses": statuses,
                },
            }
            customer_ids = _customer_ids(port, token, identifiers[:300])
            pages = [
                ("GET", f"/customers/{customer_ids[i % len(customer_ids)]}", None) for i in range(args.requests // 2)
            ]
            latencies, statuses, elapsed = run_clients(port, token, pages, args.clients, args.seconds)
            figures["page"] = {
                **percentiles(latencies), "per_second": round(len(latencies) / elapsed, 1), "statuses": statuses,
            }  # fmt: skip
            figures["server_memory"] = _memory(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    figures["load_average"] = os.getloadavg()[0]
    api_figures = figures["api"]
    met = "met" if api_figures["p99_ms"] <= TARGET_P99_MS else "NOT met"
    print(
        f"look-up API, {figures['customers_in_warehouse']:,} profiles, {args.clients} clients: "
        f"p50 {api_figures['p50_ms']} ms, p95 {api_figures['p95_ms']} ms, p99 {api_figures['p99_ms']} ms "
        f"(target {TARGET_P99_MS:g} ms: {met}), max {api_figures['max_ms']} ms, {api_figures['per_second']}/s, "
        f"{api_figures['requests']:,} requests {api_figures['statuses']}"
    )
    page = figures["page"]
    print(
        f"look-up page (HTML): p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms, p99 {page['p99_ms']} ms, "
        f"{page['per_second']}/s; server ready after {figures['startup_seconds']} s, memory "
        f"{figures['server_memory']}; load average {figures['load_average']:.1f}"
    )
    return figures


def _memory(pid: int) -> dict[str, str]:
    """The server's resident memory now and at its peak (Linux /proc; empty elsewhere)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {line.split(":")[0]: line.split(":")[1].strip() for line in lines if line.startswith(("VmRSS", "VmHWM"))}


def _customers(port: int, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/api/v1/status", headers={"Authorization": f"Bearer {token}"})
    return int(json.loads(connection.getresponse().read())["customers"])


def _customer_ids(port: int, token: str, identifiers: list[str]) -> list[str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    found = []
    for identifier in identifiers:
        connection.request(
            "POST",
            "/api/v1/lookup",
            body=json.dumps({"identifier": identifier}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        body = response.read()
        if response.status == 200:
            found.append(json.loads(body)["profile"]["customer_id"])
    return found


if __name__ == "__main__":
    main()
