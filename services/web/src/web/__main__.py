from gridline.serve import run

run("web.main:create_app", default_port=8100)
