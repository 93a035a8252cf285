# make docs/dockerrun-rules.md: regenerate the rule reference from the rule
# table in src/dockerrun/rules.c (tests/cli/validate.sh fails when the
# checked-in copy differs).
docs/dockerrun-rules.md: $(EBCTL)
	$(EBCTL) validate --list-rules --format markdown >$@.tmp && mv $@.tmp $@
