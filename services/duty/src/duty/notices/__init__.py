"""Notices per community (health education, current risk areas, "stay where you are"), with validity dates."""
