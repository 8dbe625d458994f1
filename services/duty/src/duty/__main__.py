from gridline.serve import run

run("duty.main:create_app", default_port=8104)
