! Calls the C API from Fortran through ISO_C_BINDING: compresses 3 MB with
! 2 threads into 1 MiB Blocks and decompresses them back.
! Build: gfortran fortran_smoke.f90 $(pkg-config --libs parxz)
program fortran_smoke
  use, intrinsic :: iso_c_binding
  implicit none
  ! Mirrors parxz_compress_options (parxz.h) field by field.
  type, bind(c) :: parxz_compress_options
    integer(c_int) :: format, check
    integer(c_int32_t) :: preset
    integer(c_int) :: extreme
    type(c_ptr) :: filters
    integer(c_size_t) :: num_filters
    integer(c_int32_t) :: threads
    integer(c_int64_t) :: block_size
    integer(c_int32_t) :: max_blocks_in_flight
  end type
  interface
    subroutine parxz_compress_options_init(o) bind(c)
      import :: parxz_compress_options
      type(parxz_compress_options), intent(out) :: o
    end subroutine
    integer(c_size_t) function parxz_compress_bound(n, o) bind(c)
      import :: c_size_t, parxz_compress_options
      integer(c_size_t), value :: n
      type(parxz_compress_options), intent(in) :: o
    end function
    integer(c_int) function parxz_compress_buffer(o, src, n, dst, cap, &
                                                  dst_len) bind(c)
      import :: c_int, c_size_t, c_int8_t, parxz_compress_options
      type(parxz_compress_options), intent(in) :: o
      integer(c_int8_t), intent(in) :: src(*)
      integer(c_int8_t), intent(out) :: dst(*)
      integer(c_size_t), value :: n, cap
      integer(c_size_t), intent(out) :: dst_len
    end function
    integer(c_int) function parxz_decompress_buffer(o, src, n, dst, cap, &
                                                    dst_len) bind(c)
      import :: c_int, c_size_t, c_int8_t, c_ptr
      type(c_ptr), value :: o
      integer(c_int8_t), intent(in) :: src(*)
      integer(c_int8_t), intent(out) :: dst(*)
      integer(c_size_t), value :: n, cap
      integer(c_size_t), intent(out) :: dst_len
    end function
  end interface
  integer(c_size_t), parameter :: n = 3000000
  integer(c_int8_t), allocatable :: plain(:), xz(:), back(:)
  type(parxz_compress_options) :: o
  integer(c_size_t) :: cap, xz_len, back_len, i

  allocate(plain(n), back(n))
  do i = 1, n
    plain(i) = int(mod(i * i / 7 + i / 1000, 61_c_size_t), c_int8_t)
  end do
  call parxz_compress_options_init(o)
  o%threads = 2
  o%block_size = 1048576_c_int64_t
  cap = parxz_compress_bound(n, o)
  allocate(xz(cap))
  if (parxz_compress_buffer(o, plain, n, xz, cap, xz_len) /= 0) stop 1
  if (parxz_decompress_buffer(c_null_ptr, xz, xz_len, back, n, &
                              back_len) /= 0) stop 2
  if (back_len /= n .or. any(back /= plain)) stop 3
  print '(a, i0, a, i0, a)', 'fortran: ', n, ' -> ', xz_len, &
        ' bytes, round trip ok'
end program
