"""Invoices: the fields of an invoice found in its recognised text."""
