"""Proxies (proxy-url, environment, NO_PROXY) and the client-side rate limiter."""

from __future__ import annotations

import pytest
from kubeset.config import Config, ConfigError
from kubeset.rest import RESTClient
from kubeset.transport import TokenBucketRateLimiter, Transport

from .conftest import PKI, Proxy, Server


def _cfg(server: Server, pki: PKI, **kw: object) -> Config:
    base: dict[str, object] = {"host": server.url, "ca_data": pki.ca_pem, "qps": -1}
    base.update(kw)
    return Config(**base)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- proxies


def test_proxy_url_http_connect(server: Server, pki: PKI, connect_proxy: Proxy) -> None:
    url = f"https://kube.test:{server.port}"  # only the proxy knows where kube.test is
    with Transport(_cfg(server, pki, host=url, proxy_url=connect_proxy.url)) as t:
        assert t.request("GET", url + "/api", headers={}).status_code == 200
    assert connect_proxy.targets == [f"kube.test:{server.port}"]
    assert server.requests[0].path == "/api"


def test_proxy_url_socks5_resolves_names_at_the_proxy(
    server: Server, pki: PKI, socks_proxy: Proxy
) -> None:
    url = f"https://kube.test:{server.port}"
    with Transport(_cfg(server, pki, host=url, proxy_url=socks_proxy.url, bearer_token="t")) as t:
        assert t.request("GET", url + "/api").status_code == 200
    assert socks_proxy.targets == [f"kube.test:{server.port}"]
    assert server.requests[0].header("Authorization") == "Bearer t"


def test_proxy_url_bad_scheme(server: Server, pki: PKI) -> None:
    with pytest.raises(ConfigError, match='must be "http", "https", or "socks5"'):
        Transport(_cfg(server, pki, proxy_url="ftp://proxy:21"))


def test_env_proxy_is_used(
    server: Server, pki: PKI, connect_proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", connect_proxy.url)
    url = f"https://kube.test:{server.port}"
    with Transport(_cfg(server, pki, host=url)) as t:
        assert t.request("GET", url + "/api").status_code == 200
    assert connect_proxy.targets == [f"kube.test:{server.port}"]


def test_no_proxy_env_bypasses_proxy(
    server: Server, pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "kube.test,.example.com")
    with Transport(_cfg(server, pki)) as t:
        assert t._proxies("https://kube.test:6443/api") == {}
        assert t._proxies("https://api.example.com/api") == {}
        assert t._proxies("https://other.test/api") == {"https": "http://127.0.0.1:9"}


def test_loopback_is_never_proxied(
    server: Server, pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # like Go's ProxyFromEnvironment: localhost and loopback addresses go direct
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with Transport(_cfg(server, pki)) as t:
        assert t.request("GET", server.url + "/api").status_code == 200
        assert t._proxies("https://localhost:6443/") == {}
        assert t._proxies("https://[::1]:6443/") == {}


def test_proxy_url_wins_over_env(server: Server, pki: PKI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy:1")
    monkeypatch.setenv("NO_PROXY", "*")
    with Transport(_cfg(server, pki, proxy_url="http://cfg-proxy:3128")) as t:
        assert t._proxies("https://x/") == {
            "http": "http://cfg-proxy:3128",
            "https": "http://cfg-proxy:3128",
        }


# --------------------------------------------------------------------------- rate limiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_token_bucket_burst_then_qps() -> None:
    clock = FakeClock()
    rl = TokenBucketRateLimiter(5, 10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        rl.accept()
    assert clock.sleeps == []  # the bucket starts full: a burst of 10 goes through
    rl.accept()
    rl.accept()
    assert clock.sleeps == [0.2, 0.2]  # then one token every 1/qps seconds


def test_token_bucket_refills_up_to_burst() -> None:
    clock = FakeClock()
    rl = TokenBucketRateLimiter(5, 10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        assert rl.try_accept()
    assert not rl.try_accept()
    clock.now += 1.0
    assert [rl.try_accept() for _ in range(6)] == [True] * 5 + [False]
    clock.now += 3600
    assert rl.tokens == 10  # never more than burst


def test_token_bucket_queued_callers_wait_in_turn() -> None:
    clock = FakeClock()
    rl = TokenBucketRateLimiter(2, 1, clock=clock, sleep=clock.sleep)
    # three reservations at the same instant: waits 0, 0.5, 1.0 (fair queue)
    assert [rl.reserve() for _ in range(3)] == [0.0, 0.5, 1.0]


def test_token_bucket_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        TokenBucketRateLimiter(0, 10)
    with pytest.raises(ValueError):
        TokenBucketRateLimiter(5, 0)


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def accept(self) -> None:
        self.calls += 1


def test_transport_takes_one_token_per_request(server: Server, pki: PKI) -> None:
    rl = Counting()
    with RESTClient(_cfg(server, pki, rate_limiter=rl)) as rest:
        for _ in range(3):
            rest.get().abs_path("api").do()
    assert rl.calls == 3 == len(server.requests)


def test_transport_default_limiter_is_client_go_default(server: Server, pki: PKI) -> None:
    with RESTClient(Config(host=server.url, ca_data=pki.ca_pem)) as t:
        assert isinstance(t.rate_limiter, TokenBucketRateLimiter)
        assert (t.rate_limiter.qps, t.rate_limiter.burst) == (5.0, 10)
    with RESTClient(Config(host=server.url, ca_data=pki.ca_pem, qps=0, burst=0)) as t:
        assert isinstance(t.rate_limiter, TokenBucketRateLimiter)
        assert (t.rate_limiter.qps, t.rate_limiter.burst) == (5.0, 10)
    with RESTClient(Config(host=server.url, ca_data=pki.ca_pem, qps=50, burst=100)) as t:
        assert isinstance(t.rate_limiter, TokenBucketRateLimiter)
        assert (t.rate_limiter.qps, t.rate_limiter.burst) == (50.0, 100)


def test_negative_qps_disables_limiter(server: Server, pki: PKI) -> None:
    with RESTClient(Config(host=server.url, ca_data=pki.ca_pem, qps=-1)) as t:
        assert t.rate_limiter is None


def test_transport_limits_real_requests(server: Server, pki: PKI) -> None:
    clock = FakeClock()
    rl = TokenBucketRateLimiter(5, 2, clock=clock, sleep=clock.sleep)
    with RESTClient(_cfg(server, pki, rate_limiter=rl)) as rest:
        for _ in range(4):
            rest.get().abs_path("api").do()
    assert clock.sleeps == [0.2, 0.2]
    assert len(server.requests) == 4


def test_token_bucket_is_shared_by_threads() -> None:
    import threading

    clock = FakeClock()
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            clock.sleeps.append(round(seconds, 6))

    rl = TokenBucketRateLimiter(10, 5, clock=clock, sleep=sleep)
    threads = [threading.Thread(target=rl.accept) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # clock frozen: 5 from the burst, 15 queued at 0.1 s intervals (no two share a slot)
    assert len(clock.sleeps) == 15
    assert sorted(clock.sleeps) == [round(0.1 * i, 6) for i in range(1, 16)]
