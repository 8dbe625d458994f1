from gridline.serve import run

run("care.main:create_app", default_port=8103)
