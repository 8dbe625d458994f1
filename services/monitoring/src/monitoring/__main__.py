from gridline.serve import run

run("monitoring.main:create_app", default_port=8102)
