"""The accounts package's staff screens: administrators' users and technology centers (admin), and the staff
screens of HR and center managers (staff)."""
