# nianbao: `make report` builds the example reports, `make test` runs the whole suite.
# Both set up what they need on a fresh machine: the Python packages in .venv (the exact
# versions of constraints.txt) and, where apt is usable, the Debian packages for fonts, fast
# font subsetting and PDF tools.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPORT ?= examples/*/*.yaml
OUT    ?= out
DRAFT  ?=

# Debian packages: CJK fonts (Noto Serif/Sans CJK, LXGW WenKai for 楷), fontconfig (fc-match finds them), HarfBuzz's subsetter
# (fast PDF font subsetting), poppler (pdftotext: importing PDFs; pdftoppm in tests), LibreOffice (DOCX
# proof in tests), Chromium (the HTML page tested in a real browser).
REPORT_DEBS := fonts-noto-cjk fonts-lxgw-wenkai fontconfig libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
TEST_DEBS   := $(REPORT_DEBS) libreoffice-writer-nogui chromium

.PHONY: report test test-fast bench bench-season golden constraints readme system-report system-test clean serve screenshots

$(STAMP): pyproject.toml setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# Rewrite constraints.txt from a fresh .venv: pinned versions kept, a new dependency at its newest
# version; `make constraints UPGRADE=1` takes the newest versions pyproject.toml allows. Then `make test`.
constraints:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(if $(UPGRADE),,-c constraints.txt) -e '.[test]'
	{ echo "# The exact versions the tests ran on (pip install -c constraints.txt). \`make constraints\` rewrites it."; \
	  $(BIN)/pip freeze --exclude-editable; } > constraints.txt
	touch $(STAMP)

# Install missing Debian packages when apt is usable; otherwise say what to install.
define apt_install
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "正在安装系统软件包：$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		(apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null)) \
		|| { echo "安装失败，请手动安装：$$missing"; exit 1; }; \
	else \
		echo "缺少系统软件包：$$missing"; echo "请由管理员执行：sudo apt-get install$$missing"; exit 1; \
	fi
endef

system-report:
	$(call apt_install,$(REPORT_DEBS))

system-test:
	$(call apt_install,$(TEST_DEBS))

report: $(STAMP) system-report
	$(BIN)/nianbao build $(REPORT) -o $(OUT) $(if $(DRAFT),--draft)

test: $(STAMP) system-test
	$(BIN)/ruff check generator tests tools
	$(BIN)/pytest

# while working: the tests not marked slow or browser (pyproject.toml registers the markers)
test-fast: $(STAMP) system-report
	$(BIN)/ruff check generator tests tools
	$(BIN)/pytest -m "not slow and not browser"

serve: $(STAMP) system-report
	$(BIN)/nianbao serve examples

screenshots: $(STAMP) system-test
	$(BIN)/python -m tools.screenshots

# every target against its anchor (LibreOffice: a test package); BENCH_RUNS, BENCH_RENDERS set the sizes
bench: $(STAMP) system-test
	$(BIN)/python tools/bench.py

# The season under load on loopback (BENCH_AGENCIES accounts for BENCH_SECONDS; stops by itself).
bench-season: $(STAMP)
	$(BIN)/python tools/season_bench.py

# README's table of finding codes is generated from the registry generator/codes.yaml.
readme: $(STAMP)
	$(BIN)/python -m generator.codes README.md

golden: $(STAMP) system-test
	NIANBAO_GOLDEN=update $(BIN)/pytest tests/test_visual.py

clean:
	rm -rf $(OUT) .pytest_cache build dist
