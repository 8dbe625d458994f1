from gridline.serve import run

run("registry.main:create_app", default_port=8101)
