# Shell completions, generated from the binary's own --help output so that
# they list exactly the flags of the option tables. tests/cli/completion.sh
# fails when the committed files are stale.
PYTHON ?= python3

.PHONY: completions
completions: $(EBCTL)
	@mkdir -p completions
	$(PYTHON) mk/gen-completions.py $(EBCTL) completions
