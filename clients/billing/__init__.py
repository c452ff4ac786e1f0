"""Statements: the part of clients that reads calls.

A client's billed calls in a period (selectors), issuing and sending them (issuing), their
print (printing), the billing CSV, LEDES and summary exports (exports, ledes) and their screens
(views, forms, tables). It reads calls only through calls' data layer (models, selectors,
services); nothing outside it imports it but the URLs, the admin and the commands.
"""
