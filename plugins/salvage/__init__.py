"""Salvage (损余物资): lots from total-loss vehicles or replaced parts, sealed bids by
eligible vendors, award, pickup with photo, sale or dismantling, proceeds booked."""
