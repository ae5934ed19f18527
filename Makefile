# The two commands a newcomer needs:  make run  and  make test.
.PHONY: run test setup stack-up stack-down stack-status bench lint

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

stack-up:
	.venv/bin/python manage.py devstack up

stack-down:
	.venv/bin/python manage.py devstack down

stack-status:
	.venv/bin/python manage.py devstack status

bench:
	bash scripts/test-services.sh && .venv/bin/python bench/connector_list.py && .venv/bin/python bench/sweep.py && .venv/bin/python bench/admin_connector_list.py
