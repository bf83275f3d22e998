"""Scrapy settings for nianbao crawls (the module scrapy.cfg names).

Polite by default: robots.txt obeyed, AutoThrottle with at most two requests in flight per host, a
delay between requests, retries with backoff, an honest User-Agent, bounded download sizes. The
CLI's `-s NAME=VALUE` overrides any of them (benchmarks on loopback turn the politeness down).
"""

import os

import archive
from crawler.public_suffix import use_bundled_public_suffix_list

# No request outside the crawl's scope: Scrapy's cookie middleware would otherwise have tldextract
# download the Public Suffix List (and print its tracebacks where there is no route out).
use_bundled_public_suffix_list()

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = f"nianbao/{archive.__version__} (annual-report archiver; +https://github.com/nianbao/nianbao)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 2**20
DOWNLOAD_WARNSIZE = 16 * 2**20
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry, doubling each time (crawler.retry)
RETRY_BACKOFF_MAX = 120.0
DEPTH_LIMIT = 0  # see NIANBAO_NAV_DEPTH / NIANBAO_MAX_LISTING_PAGES: pagination is not depth
COOKIES_ENABLED = True
# No remote control of a running crawl: Scrapy's telnet console and its remote-control server are
# doors into the process that a crawler of untrusted pages does not need open.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Let every status reach the spider: a 404 or 500 is a capture worth recording, not noise.
HTTPERROR_ALLOW_ALL = True

# The frontier (crawler.frontier): requests, the seen-set and the resume state in DATA/job, crash-safe.
# It replaces Scrapy's scheduler, dupefilter and JOBDIR, which a kill -9 left silently short.
SCHEDULER = "crawler.frontier.scheduler.FrontierScheduler"

DOWNLOADER_MIDDLEWARES = {
    "crawler.frontier.replay.ReplayMiddleware": 40,
    "crawler.cluster.SharedRobotsTxt": 45,  # with NIANBAO_REDIS only: robots.txt once per host per crawl
    "crawler.middlewares.ScopeMiddleware": 50,
    "crawler.incremental.ConditionalRequestMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetryMiddleware": 550,
}
EXTENSIONS = {
    "crawler.lock.DataDirectoryLock": 50,
    "crawler.diskfull.DiskFullStop": 60,
    "crawler.archiving.WarcArchiver": 100,
    "crawler.ingesting.IngestArchive": 110,
    "crawler.progress.Progress": 500,
}

# nianbao's own settings.
NIANBAO_DATA = "data"  # WARC files in DATA/warc, the database in DATA/nianbao.sqlite
NIANBAO_WARC_DIR = None  # default DATA/warc
NIANBAO_WARC_MAX_SIZE = 256 * 2**20
NIANBAO_DB = None  # default sqlite:///DATA/nianbao.sqlite, or $NIANBAO_DB
NIANBAO_ALLOWED_HOSTS: list[str] = []  # hosts (and their subdomains) besides the start URLs'
NIANBAO_PROGRESS_INTERVAL = 5.0
NIANBAO_LOCK_HELD = False  # set by `nianbao crawl`, which holds the data directory's lock itself
NIANBAO_JOB_DIR = None  # default DATA/job: the frontier of a crawl that has not finished
NIANBAO_RESUME = "auto"  # new | resume | auto (resume the frontier in the job directory if there is one)
# A crawl shared by several workers (`crawl --redis URL`, or $NIANBAO_REDIS): frontier, seen-set and
# per-host limits in Redis (crawler.frontier.redis_scheduler); a taken request's lease, in seconds,
# after which a silent (killed) worker's request goes to another; how long a worker without start
# URLs waits for a crawl to join.
NIANBAO_REDIS = os.environ.get("NIANBAO_REDIS") or None
NIANBAO_REDIS_LEASE = 60.0
NIANBAO_REDIS_JOIN_WAIT = 30.0
NIANBAO_RESUME_RETRIES = 2  # crawl runs that may give up on a request before a resume stops retrying it
NIANBAO_MIN_FREE_SPACE = None  # bytes free before a WARC file is started; default its max size + 64 MiB
NIANBAO_INCREMENTAL = True  # conditional requests and revisit records against earlier captures
NIANBAO_NAV_DEPTH = 5  # navigation hops from a start URL toward the report columns
NIANBAO_MAX_LISTING_PAGES = 1000  # pages followed along one listing's pagination

# scrapy-playwright, for pages that only render with JavaScript: Debian's chromium, never a
# downloaded browser build. Only requests the spider marks (crawler.rendering) go through it; the
# Playwright driver and the browser are started on the first such request.
NIANBAO_BROWSER_ENABLED = True
# The driver and the browser start with the first page that needs them (crawler.rendering).
DOWNLOAD_HANDLERS = {
    "http": "crawler.rendering.BrowserOnDemandHandler",
    "https": "crawler.rendering.BrowserOnDemandHandler",
}
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_ABORT_REQUEST = "crawler.rendering.skip_heavy_resources"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": ["--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update"],
}
