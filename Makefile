# The two commands a newcomer needs:  make run  and  make test.
.PHONY: run test prod-smoke setup stack-up stack-down stack-status bench

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# The production settings and docker-compose.yml's commands, run for real on this machine (no Docker).
prod-smoke:
	bash scripts/setup.sh && PGPASSWORD=$${PGPASSWORD:-postgres} bash scripts/test-services.sh && PGPASSWORD=$${PGPASSWORD:-postgres} .venv/bin/python scripts/prod_smoke.py

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
