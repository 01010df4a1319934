"""Vietnamese words the demo data is drawn from: names, places, shops and products.

Shops and products are invented. Salons carry the 30Shine name because the
vendor's own example events come from a source called ``30ShineMSSQL``.
Street and district names are real, so that addresses read naturally to
Vietnamese agents.
"""

FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh",
)

MALE_MIDDLE_NAMES = ("Văn", "Minh", "Đức", "Hữu", "Quốc", "Thanh", "Công", "Gia")
FEMALE_MIDDLE_NAMES = ("Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Kim", "Phương", "Mỹ")

MALE_GIVEN_NAMES = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Khang", "Khoa",
    "Long", "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh",
)
FEMALE_GIVEN_NAMES = (
    "Anh", "Chi", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai",
    "Ngân", "Nhung", "Oanh", "Quỳnh", "Thảo", "Trang", "Uyên", "Vy", "Yến",
)

# City, district and a few streets of that district.
PLACES = (
    ("Hà Nội", "Cầu Giấy", ("Trần Duy Hưng", "Xuân Thủy", "Cầu Giấy")),
    ("Hà Nội", "Đống Đa", ("Khâm Thiên", "Tây Sơn", "Xã Đàn")),
    ("Hà Nội", "Hai Bà Trưng", ("Bạch Mai", "Minh Khai", "Lò Đúc")),
    ("Hà Nội", "Long Biên", ("Nguyễn Văn Cừ", "Ngọc Lâm")),
    ("TP. Hồ Chí Minh", "Quận 1", ("Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng")),
    ("TP. Hồ Chí Minh", "Quận 3", ("Võ Văn Tần", "Cách Mạng Tháng Tám")),
    ("TP. Hồ Chí Minh", "Bình Thạnh", ("Xô Viết Nghệ Tĩnh", "Phan Đăng Lưu")),
    ("TP. Hồ Chí Minh", "Gò Vấp", ("Quang Trung", "Nguyễn Oanh")),
    ("TP. Hồ Chí Minh", "Thủ Đức", ("Võ Văn Ngân", "Kha Vạn Cân")),
    ("Đà Nẵng", "Hải Châu", ("Lê Duẩn", "Nguyễn Văn Linh")),
    ("Đà Nẵng", "Sơn Trà", ("Ngô Quyền", "Phạm Văn Đồng")),
    ("Hải Phòng", "Lê Chân", ("Tô Hiệu", "Hai Bà Trưng")),
    ("Cần Thơ", "Ninh Kiều", ("30 Tháng 4", "Trần Hưng Đạo")),
    ("Huế", "Thuận Hóa", ("Hùng Vương", "Lê Lợi")),
    ("Nha Trang", "Lộc Thọ", ("Trần Phú", "Nguyễn Thiện Thuật")),
)

SALON_BRAND = "30Shine"

HAIRCUT_SERVICES = (
    ("Cắt gội 10 bước", 120_000),
    ("Cắt tóc nam tạo kiểu", 100_000),
    ("Uốn tóc Hàn Quốc", 379_000),
    ("Nhuộm màu thời trang", 299_000),
    ("Gội đầu dưỡng sinh", 80_000),
    ("Combo cắt, gội, lấy ráy tai", 159_000),
)

SHOPS = (
    "Mỹ phẩm Thanh Hương",
    "Siêu thị mini Bích Ngọc",
    "Cà phê Hạt Rang Phố Cổ",
    "Thời trang Hoa Mai",
    "Nhà sách Ánh Dương",
    "Tạp hóa Cô Tư",
)

PRODUCTS = (
    ("SAP-056", "Sáp vuốt tóc nam 56g", 189_000),
    ("DGO-500", "Dầu gội thảo dược 500ml", 145_000),
    ("CAF-500", "Cà phê rang xay Buôn Ma Thuột 500g", 210_000),
    ("NMA-500", "Nước mắm Phú Quốc 40 độ đạm 500ml", 95_000),
    ("ATH-CTN", "Áo thun cotton nam cổ tròn", 259_000),
    ("BTT-H04", "Bánh trung thu hộp 4 cái", 520_000),
    ("TRA-THN", "Trà Thái Nguyên 200g", 120_000),
    ("KEM-SPF", "Kem chống nắng SPF50 50ml", 325_000),
)

PAYMENT_METHODS = (
    "MoMo", "VNPay-QR", "ZaloPay", "Thẻ Visa", "Thẻ ATM nội địa",
    "Tiền mặt khi nhận hàng (COD)",
)

WEB_PAGES = (
    ("https://shop.example.vn/", "Trang chủ"),
    ("https://shop.example.vn/khuyen-mai", "Khuyến mãi tháng này"),
    ("https://shop.example.vn/san-pham/sap-vuot-toc-nam", "Sáp vuốt tóc nam 56g"),
    ("https://shop.example.vn/gio-hang", "Giỏ hàng"),
    ("https://shop.example.vn/dat-lich", "Đặt lịch cắt tóc"),
    ("https://shop.example.vn/tai-khoan/don-hang", "Đơn hàng của tôi"),
)

REFERRERS = (
    "https://www.google.com/", "https://www.facebook.com/", "https://zalo.me/", "",
)

DEVICES = (
    ("iPhone 13", "iOS", "17.5"),
    ("iPhone 15 Pro", "iOS", "18.1"),
    ("Samsung Galaxy A54", "Android", "14"),
    ("OPPO Reno8 T", "Android", "13"),
    ("Xiaomi Redmi Note 12", "Android", "13"),
    ("Vivo Y36", "Android", "14"),
)

APP_VERSIONS = ("3.8.2", "3.9.0", "3.9.1", "4.0.0")

TICKET_SUBJECTS = (
    "Đơn hàng giao chậm quá 5 ngày",
    "Muốn đổi lịch hẹn cắt tóc",
    "Yêu cầu hoàn tiền giao dịch MoMo",
    "Không nhận được mã OTP khi đăng nhập",
    "Khiếu nại thái độ nhân viên tại cửa hàng",
    "Hỏi về điểm thưởng thành viên",
    "Sản phẩm nhận được bị lỗi",
)

TICKET_CHANNELS = ("Tổng đài 1900", "Zalo OA", "Email", "Facebook Messenger", "Tại cửa hàng")

MEMBERSHIP_TIERS = ("Thành viên", "Bạc", "Vàng", "Kim cương")
