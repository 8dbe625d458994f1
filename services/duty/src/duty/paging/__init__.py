"""Paging: whoever holds an incident's step is told by SMS and the duty group's robot, once per step and channel.

Each opened or escalated incident asks for a page; pages of one kind in one community at one step within a
short window become one page that says how many and links to the desk, so a mass screening stays readable.
Each officer's notification policy says which channels page them, in order, and their quiet hours.
"""
