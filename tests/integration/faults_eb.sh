# The fault matrix at the Elastic Beanstalk steps of a deploy: creating the
# version, updating the environment, reading its events
# (tests/integration/faults.bash).
. "$TESTS_DIR/integration/faults.bash"

matrix eb CreateApplicationVersion UpdateEnvironment DescribeEvents
finish
