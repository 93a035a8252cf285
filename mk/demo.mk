# make demo: install what is missing, build, and deploy templates/multi-docker
# to a local Elastic Beanstalk (the sandbox), streaming events to the verdict.
demo:
	@ci/demo.sh
