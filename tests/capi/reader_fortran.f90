! Random access from Fortran through ISO_C_BINDING: compresses 3 MB into
! 256 KiB Blocks with parxz, writes FILE.xz, opens it with a parxz_reader and
! reads it back in 100,000-byte slabs, slabs in an OpenMP loop (where built
! with -fopenmp) on the one reader, comparing every slab.
! Build: gfortran -fopenmp reader_fortran.f90 $(pkg-config --libs parxz)
! Run:   ./reader_fortran FILE.xz
program reader_fortran
  use, intrinsic :: iso_c_binding
  implicit none
  ! Mirrors parxz_compress_options and parxz_reader_options (parxz.h).
  type, bind(c) :: parxz_compress_options
    integer(c_int) :: format, check
    integer(c_int32_t) :: preset
    integer(c_int) :: extreme
    type(c_ptr) :: filters
    integer(c_size_t) :: num_filters
    integer(c_int32_t) :: threads
    integer(c_int) :: sequential
    integer(c_int64_t) :: block_size
    integer(c_int32_t) :: max_blocks_in_flight
  end type
  type, bind(c) :: parxz_reader_options
    integer(c_int32_t) :: threads
    integer(c_int64_t) :: memlimit, cache_blocks
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
    subroutine parxz_reader_options_init(o) bind(c)
      import :: parxz_reader_options
      type(parxz_reader_options), intent(out) :: o
    end subroutine
    integer(c_int) function parxz_reader_open_file(path, o, r) bind(c)
      import :: c_int, c_char, c_ptr, parxz_reader_options
      character(kind=c_char), intent(in) :: path(*)
      type(parxz_reader_options), intent(in) :: o
      type(c_ptr), intent(out) :: r
    end function
    integer(c_int64_t) function parxz_reader_size(r) bind(c)
      import :: c_int64_t, c_ptr
      type(c_ptr), value :: r
    end function
    integer(c_int64_t) function parxz_reader_block_count(r) bind(c)
      import :: c_int64_t, c_ptr
      type(c_ptr), value :: r
    end function
    integer(c_int) function parxz_reader_pread(r, dst, n, offset, got) &
        bind(c)
      import :: c_int, c_int8_t, c_int64_t, c_size_t, c_ptr
      type(c_ptr), value :: r
      integer(c_int8_t), intent(out) :: dst(*)
      integer(c_size_t), value :: n
      integer(c_int64_t), value :: offset
      integer(c_size_t), intent(out) :: got
    end function
    subroutine parxz_reader_free(r) bind(c)
      import :: c_ptr
      type(c_ptr), value :: r
    end subroutine
  end interface
  integer(c_size_t), parameter :: n = 3000000, slab = 100000
  integer(c_int8_t), allocatable :: plain(:), xz(:), buf(:)
  type(parxz_compress_options) :: co
  type(parxz_reader_options) :: ro
  type(c_ptr) :: r
  integer(c_size_t) :: cap, xz_len, i, got, first, last
  integer :: u, bad, s, slabs
  character(len=4096) :: path

  if (command_argument_count() /= 1) stop 'usage: reader_fortran FILE.xz'
  call get_command_argument(1, path)
  allocate(plain(n))
  do i = 1, n
    plain(i) = int(mod(i * i / 7 + i / 1000, 61_c_size_t), c_int8_t)
  end do
  call parxz_compress_options_init(co)
  co%threads = 2
  co%block_size = 262144_c_int64_t
  cap = parxz_compress_bound(n, co)
  allocate(xz(cap))
  if (parxz_compress_buffer(co, plain, n, xz, cap, xz_len) /= 0) stop 1
  open(newunit=u, file=trim(path), access='stream', form='unformatted', &
       status='replace')
  write(u) xz(1:xz_len)
  close(u)

  call parxz_reader_options_init(ro)   ! threads 1: reads on the caller
  if (parxz_reader_open_file(trim(path) // c_null_char, ro, r) /= 0) stop 2
  if (parxz_reader_size(r) /= n) stop 3
  print '(a, i0, a, i0, a)', 'fortran reader: ', parxz_reader_size(r), &
        ' bytes in ', parxz_reader_block_count(r), ' Blocks'
  slabs = int((n + slab - 1) / slab)
  bad = 0
  !$omp parallel do private(buf, got, first, last) reduction(+:bad) &
  !$omp schedule(dynamic)
  do s = slabs - 1, 0, -1
    allocate(buf(slab))
    first = int(s, c_size_t) * slab + 1
    last = min(first + slab - 1, n)
    if (parxz_reader_pread(r, buf, slab, int(first - 1, c_int64_t), &
                           got) /= 0) then
      bad = bad + 1
    else if (got /= last - first + 1) then
      bad = bad + 1
    else if (any(buf(1:got) /= plain(first:last))) then
      bad = bad + 1
    end if
    deallocate(buf)
  end do
  !$omp end parallel do
  call parxz_reader_free(r)
  if (bad /= 0) stop 4
  print '(a, i0, a)', 'fortran reader: ', slabs, ' slabs read back ok'
end program
