"""Public badge endpoints: badges/views/ob2.py (OB 2.0) and badges/views/ob3.py (OB 3.0)."""
