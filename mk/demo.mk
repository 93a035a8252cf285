# make demo: install what is missing, build, and deploy templates/multi-docker
# to a local Elastic Beanstalk (the sandbox), streaming events to the verdict.
demo:
	@ci/demo.sh

# make sandbox: the sandbox in the foreground, for experiments; its
# credentials and endpoint in $(BUILD)/sandbox.env. SANDBOX_PORT moves it.
SANDBOX_PORT ?= 4566
sandbox:
	@mkdir -p $(BUILD)
	@tests/sandbox/sandbox --port $(SANDBOX_PORT) --env-file $(abspath $(BUILD))/sandbox.env --hint
